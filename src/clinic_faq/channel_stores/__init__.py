"""What the input channels keep beside Rasa's tracker store (no Rasa import): `phone_tree` (the SMS
channel's opt-outs, menus and handled message ids, in SQL) and `rate_limit` (the abuse limits' buckets in
Redis, shared by every replica)."""
