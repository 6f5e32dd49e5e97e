"""The clinic FAQ assistant: a Rasa 3.6 assistant for clinics offering ketamine infusion therapy for cancer pain.

The packages (docs/architecture.md):

- `clinic_faq.core`: the safety logic and the clinic's configuration, plain Python with no Rasa import
  (the crisis and referral screen, the learned detectors, the dose guard, PHI redaction and the log filter,
  language detection, input sanitizing, and `contract`, the typed safety verdict every other part reads);
- `clinic_faq.stores` (the clinic's own store), `clinic_faq.channel_stores` (what the channels keep beside
  Rasa's tracker), `clinic_faq.ops` (backup, retention, audit export), `clinic_faq.insights` (the staff
  report): no Rasa import either;
- `clinic_faq.rasa_ext`: everything that plugs into Rasa, each through Rasa's extension point for it (NLU
  components, the policy, the NLG, the input channels, the tracker and lock stores, the custom actions, the
  server launchers), and `rasa_ext.patches`, the three Rasa internals still replaced, applied by `clinic-rasa`.
"""

__version__ = "0.2.0"
