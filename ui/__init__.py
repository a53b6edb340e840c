"""What people use: the command line (``ui/cli``), the web app (``ui/web``: the room, review, the
tracker, documents) and the one policy that decides who may do what (``ui/policy.py``)."""
