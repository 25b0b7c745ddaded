"""The citizen's personal document store (model M4, "lưu trữ giấy tờ điện tử").

A citizen uploads a paper once (CCCD, birth certificate, portrait...) and attaches it to many
dossiers later. Other domains use `api.documents.service`: `get_owned`, `read_content`,
`register_usage_check`.
"""
