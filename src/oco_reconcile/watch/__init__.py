"""``watch``: the long-running half. ``feeds.py`` keeps each venue's user data stream open (one
thread per venue, reconnecting with jittered backoff) and cancels a futures orphan the moment its
sibling's trigger arrives; ``desired_files.py`` notices edits of the bracket files; ``loop.py``
reports every event, re-plans over REST (after events, reconnects, file changes and on a timer)
and, with ``--apply``, applies. The command's wiring is ``commands/watch.py``."""
