"""Citizen reports: crime denunciations (tố giác tội phạm, M29) and field reports (phản ánh hiện trường).

`categories.py` is the service catalogue, `workflow.py` the status machine, `media.py` the checks
of uploaded photos and videos, `service.py` the rules, `routes.py` the endpoints.
"""
