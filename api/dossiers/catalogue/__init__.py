"""The procedure catalogue (thủ tục hành chính): what a citizen can apply for, with the documents,
fees, processing times, authority and the application form (a JSON Schema) of each, and the
groups of interconnected procedures (liên thông) that are applied for together.

Dossiers (api/dossiers) call `service.require_procedure`, `service.validate_form` and
`service.require_group`; the catalogue knows nothing about dossiers.
"""
