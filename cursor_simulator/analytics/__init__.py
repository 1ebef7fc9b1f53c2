"""The Analytics API (``/analytics/team/*``, ``/analytics/by-user/*``) and the AI Code Tracking API
(``/analytics/ai-code/*``) of a simulated team (reference §9), consistent with the usage it already simulates.

* :mod:`.activity` derives a member-day's AI code activity (conversations, accepted changes, commits) from that
  day's usage events and a generator of its own, so any day can be produced alone, like the events;
* :mod:`.ranges` lays out a commit's AI-written line ranges (the commit-detail route);
* :mod:`.ai_code`, :mod:`.team_routes` and :mod:`.bugbot` answer the routes;
* :mod:`.costs` is the ground truth of cost per commit and per repository.
"""
