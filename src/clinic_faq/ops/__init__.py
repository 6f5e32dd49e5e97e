"""Operations on the stored conversations, run from the command line (no Rasa import): `backup`
(make backup / make restore), `retention` (make purge) and `audit` (make audit-export; also read by the
evaluation and the staff stories)."""
