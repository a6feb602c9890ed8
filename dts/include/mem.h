/* Size helpers for devicetree sources, as in Zephyr's <mem.h>. */
#ifndef ZPY_DT_MEM_H
#define ZPY_DT_MEM_H

#define DT_SIZE_K(x) ((x) * 1024)
#define DT_SIZE_M(x) (DT_SIZE_K(x) * 1024)

#endif
