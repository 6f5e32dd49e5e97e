"""The tracker store that fails loudly, the atomic Redis lock store, the phone tree's small store, retention."""
