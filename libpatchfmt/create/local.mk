# create: sources are listed here
