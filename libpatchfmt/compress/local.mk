# compress: sources are listed here
