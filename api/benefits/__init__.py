"""Social benefits (M36): programmes, beneficiaries, monthly schedules and payments."""
