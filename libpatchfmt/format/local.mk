# format: sources are listed here
