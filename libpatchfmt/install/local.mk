# install: sources are listed here
