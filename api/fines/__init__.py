"""Traffic and public-order fines (model M18 of Đề án 06): "xác nhận hành vi vi phạm và nộp phạt
trực tuyến trên App Công dân số". Plates (plates.py), the violation catalogue (violations.py),
notices (models.py), their status machine (workflow.py), the rules (service.py), the HTTP API (routes.py), file imports (cli.py)."""
