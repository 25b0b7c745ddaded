"""Personal records (M33, M34): land, health, labour and social insurance, with who has looked."""
