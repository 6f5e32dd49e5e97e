"""The clinic FAQ assistant: a Rasa 3.6 assistant for clinics offering ketamine infusion therapy for cancer pain.

Two layers (docs/architecture.md):

- `clinic_faq.core`: the safety logic and the clinic's configuration, plain Python with no Rasa import
  (the crisis and referral screen, the learned detectors, the dose guard, PHI redaction, language
  detection, input sanitizing, and `contract`, the typed safety verdict every other part reads);
- `clinic_faq.rasa_ext`: everything that plugs into Rasa (NLU components, the NLG, the input channels,
  the tracker and lock stores, the custom actions, the server launchers and the patches to Rasa's
  internals, applied once by `rasa_ext.patches.apply()` at server start-up).
"""

__version__ = "0.2.0"
