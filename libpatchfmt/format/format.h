/*
 * Constants of the package format.  Every name carries the section of
 * spec/patchfmt.md that defines it.
 */
#ifndef PF_FORMAT_FORMAT_H
#define PF_FORMAT_FORMAT_H

#include <stdint.h>

/* 3. Header: fixed size, little-endian fields at these offsets. */
#define PF_MAGIC                "\x89PFPK\r\n\x1a"
#define PF_MAGIC_LEN            8
#define PF_VERSION_MAJOR        1
#define PF_VERSION_MINOR        0
#define PF_HEADER_SIZE          80
#define PF_HDR_MAGIC            0
#define PF_HDR_VERSION_MAJOR    8
#define PF_HDR_VERSION_MINOR    10
#define PF_HDR_HEADER_SIZE      12
#define PF_HDR_REQUIRED         16
#define PF_HDR_OPTIONAL         24
#define PF_HDR_MANIFEST_SIZE    32
#define PF_HDR_DEPS_SIZE        40
#define PF_HDR_SIGNATURE_SIZE   48
#define PF_HDR_PAYLOAD_SIZE     56
#define PF_HDR_ROLLBACK_SIZE    64
#define PF_HDR_RESERVED         72

/* 3.1 Required feature bits: a reader refuses any bit it does not know. */
#define PF_FEAT_DELTA           (UINT64_C(1) << 0)  /* a blob uses codec 3 */
#define PF_FEAT_LIVE            (UINT64_C(1) << 1)  /* hot-patch records */
#define PF_FEAT_META            (UINT64_C(1) << 2)  /* owners, xattrs... */
#define PF_FEAT_KNOWN           (PF_FEAT_DELTA | PF_FEAT_LIVE | PF_FEAT_META)

/* 4. Fields: tag and length as uvarints; odd tags are critical. */
#define PF_TAG_CRITICAL(t)      (((t) & 1) != 0)

/* 5.1 Manifest, top-level fields. */
#define PF_M_NAME               2
#define PF_M_VERSION            4
#define PF_M_DESCRIPTION        6
#define PF_M_CREATED            8
#define PF_M_BLOB               11
#define PF_M_ENTRY              13
#define PF_M_EXPIRES            15
#define PF_M_TARGET             17
#define PF_M_RELEASE            19
#define PF_M_PROVENANCE         20
#define PF_M_HOOK               21
#define PF_M_PHASE              23

/* 5.1.3 Provenance fields. */
#define PF_PV_ISSUE             2
#define PF_PV_SOURCE_REV        4
#define PF_PV_SOURCE_URL        6

/* 5.1.4 Hook fields. */
#define PF_H_KIND               1
#define PF_H_TIMEOUT            3
#define PF_H_SCRIPT             5

/* 5.1.5 Phase fields. */
#define PF_P_SHARE              1
#define PF_P_SEED               3

/* Tags 30-39: the hot-patch work (spec/patchfmt.md section 5.1.6). */
#define PF_M_LIVE_NOTE          30      /* repeated, non-critical */
#define PF_LN_PATH              2
#define PF_LN_KIND              4
#define PF_LN_NAME              6
#define PF_LN_TEXT              8
#define PF_MAX_LIVE_NOTES       262144

/* 5.1.1 Target fields. */
#define PF_T_PRODUCT            1
#define PF_T_FROM               3
#define PF_T_TO                 5

/* 5.1.2 Release fields. */
#define PF_R_FAMILY             1
#define PF_R_COUNTER            3

/* 5.2 Blob fields. */
#define PF_B_SECTION            1
#define PF_B_CODEC              3
#define PF_B_PARAM              5
#define PF_B_STORED_SIZE        7
#define PF_B_DECODED_SIZE       9
#define PF_B_SHA256             11

/* 5.3 Entry fields. */
#define PF_E_PATH               1
#define PF_E_OP                 3
#define PF_E_BEFORE             5
#define PF_E_AFTER              7
#define PF_E_PAYLOAD            9
#define PF_E_ROLLBACK           11
#define PF_E_NEEDS              12      /* spec/elf-needs.md */
#define PF_E_LIVE               13      /* spec/hotpatch.md */
#define PF_E_PROVIDES           14      /* spec/elf-needs.md */

/* 5.4 State fields. */
#define PF_S_TYPE               1
#define PF_S_MODE               3
#define PF_S_SIZE               5
#define PF_S_SHA256             7
#define PF_S_LINK               9
#define PF_S_BUILD_ID           10
#define PF_S_UID                11      /* 5.4.1, feature bit 2 */
#define PF_S_USER               12
#define PF_S_GID                13
#define PF_S_GROUP              14
#define PF_S_XATTR              15      /* repeated */
#define PF_S_HARDLINK           17
#define PF_S_EXTENTS            19      /* 5.4.2 */
#define PF_S_MTIME              21
#define PF_S_MTIME_NSEC         23

/* 5.4.1 Extended attribute fields. */
#define PF_X_NAME               1
#define PF_X_VALUE              3

/* 6. Dependency list fields. */
#define PF_D_DEP                1
#define PF_D_KIND               1
#define PF_D_NAME               3
#define PF_D_VERSION            5

/* 7. Signature block. */
#define PF_SIG_DIGEST_LEN       32
#define PF_SIG_FIXED            36      /* digest and count */
#define PF_SIG_ENTRY_SIZE       76      /* algorithm, key id, signature */
#define PF_SIG_ALG_ED25519      1
#define PF_SIG_KEY_ID_LEN       8
#define PF_SIG_LEN              64
#define PF_SIG_CONTEXT          "patchfmt signature v1"

/* 8. Limits every reader enforces. */
#define PF_MAX_MANIFEST         (UINT64_C(64) << 20)
#define PF_MAX_DEPS             (UINT64_C(16) << 20)
#define PF_MAX_SIGNATURES       16
#define PF_MAX_SECTION          (UINT64_C(1) << 62)
#define PF_MAX_ENTRIES          1000000
#define PF_MAX_PATH             4096
#define PF_MAX_NAME             255     /* one path component */
#define PF_MAX_LINK             4095
#define PF_MAX_STRING           65536   /* names, versions, descriptions */
#define PF_MAX_ID               128     /* patch IDs, section 5.6 */
#define PF_MAX_HOOK             (UINT64_C(1) << 20)  /* a hook script */
#define PF_MAX_HOOK_TIMEOUT     3600    /* seconds */
#define PF_MAX_FROM             256     /* versions a package applies from */
#define PF_MAX_LZMA_DICT        (UINT64_C(64) << 20)
#define PF_MAX_LIVE             (UINT64_C(64) << 20)  /* a hot-patch record */
#define PF_MAX_FILE_SIZE        (UINT64_C(1) << 40)
#define PF_MAX_OWNER_ID         UINT32_C(4294967294)  /* not (uid_t)-1 */
#define PF_MAX_XATTRS           1024    /* per state */
#define PF_MAX_XATTR_NAME       255     /* XATTR_NAME_MAX */
#define PF_MAX_XATTR_VALUE      65536   /* XATTR_SIZE_MAX */
#define PF_MAX_XATTR_TOTAL      (UINT64_C(1) << 20)  /* names and values */
#define PF_MAX_EXTENTS          65536   /* per state */

#endif
