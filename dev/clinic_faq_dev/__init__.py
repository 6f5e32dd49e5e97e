"""Developer tooling, apart from the product: evaluation, staff story runs, content checks, the server harness
the tests and benchmarks start servers with, the load generator and the benchmarks. The product
(`clinic_faq`) never imports this package (a test checks it)."""
