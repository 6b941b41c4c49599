#include <config.h>

#include "libpatchfmt.h"

const char *
pf_version(void)
{
	return PACKAGE_VERSION;
}
