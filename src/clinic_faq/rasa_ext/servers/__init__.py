"""How the servers start: the Rasa server (patches applied, HTTP API only with auth) and the action server.

Importing this package (both launchers live in it) limits the numerical libraries to one thread each, before
numpy, scipy or scikit-learn are loaded, unless the environment already says otherwise. OpenBLAS starts a
worker per core that spins while it waits for work; the matrices of one message are tiny, so the workers
made no turn faster, yet on 2 cores they burned about 16 ms of CPU per message (40% of the Rasa server's
CPU, measured with `make bench`'s load), taken from the action server and the other replicas. The server
handles one message at a time in its event loop; a replica per core is how it scales (docs/deployment.md).
"""

import os

MATH_THREAD_SETTINGS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

for _setting in MATH_THREAD_SETTINGS:
    os.environ.setdefault(_setting, "1")
