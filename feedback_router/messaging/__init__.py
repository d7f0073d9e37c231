"""Messages to and from citizens: the outbox, web identities, channel bookkeeping tables."""
