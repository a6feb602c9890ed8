/*
 * Key codes for zephyr,code, with the names and values of Zephyr's
 * <zephyr/dt-bindings/input/input-event-codes.h> (the keys boards give their
 * buttons; the rest of Zephyr's list is left out).
 */
#ifndef ZPY_DT_BINDINGS_INPUT_INPUT_EVENT_CODES_H
#define ZPY_DT_BINDINGS_INPUT_INPUT_EVENT_CODES_H

#define INPUT_KEY_1             2
#define INPUT_KEY_2             3
#define INPUT_KEY_3             4
#define INPUT_KEY_4             5
#define INPUT_KEY_5             6
#define INPUT_KEY_6             7
#define INPUT_KEY_7             8
#define INPUT_KEY_8             9
#define INPUT_KEY_9             10
#define INPUT_KEY_0             11
#define INPUT_KEY_ENTER         28
#define INPUT_KEY_DOWN          108
#define INPUT_KEY_UP            103
#define INPUT_KEY_LEFT          105
#define INPUT_KEY_RIGHT         106
#define INPUT_KEY_POWER         116
#define INPUT_KEY_WAKEUP        143

#define INPUT_BTN_0             0x100
#define INPUT_BTN_1             0x101
#define INPUT_BTN_2             0x102
#define INPUT_BTN_3             0x103

#endif
