# elf: sources are listed here
