"""Policy articles, FAQ, local products and the comms console (issue: notifications and content)."""
