/*
 * JSON output for machine-readable reports.  The string writers are
 * public (libpatchfmt.h: pf_json_str(), pf_json_strn(), pf_json_hex()),
 * so that the tools and other programs write names exactly as the
 * library's own documents do.
 */
#ifndef PF_COMMON_JSON_H
#define PF_COMMON_JSON_H

#include "libpatchfmt.h"

#endif
