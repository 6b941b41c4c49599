## delta: sources, tests and tools of this module
