"""The home page `/`: what runs and where to go, for the person who just typed `make run`.

A small server-rendered Vietnamese page (routes.py, templates/home/index.html): each part of the
system with its state from the same checks as `/ready` (database, chatbot, payments, scheduler,
push, storage…), and links to the citizen sign-in, the consoles, the docs and the checks; the
front ends (`/app/`, `/workspace/`) are linked once they exist. Its one script (static/home.js)
refreshes the states while the page is open, so "Trợ lý ảo: chưa sẵn sàng" turns to "sẵn sàng"
when Rasa has loaded its model. A client asking for JSON gets the same as a small index.
"""
