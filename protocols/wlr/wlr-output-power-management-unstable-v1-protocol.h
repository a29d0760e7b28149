// What <wlr/types/wlr_output_power_management_v1.h> needs of the
// wlr-output-power-management-unstable-v1 protocol: its mode enum, with the protocol's
// values. wlroots itself holds the protocol's wire code.
#pragma once

enum zwlr_output_power_v1_mode {
    ZWLR_OUTPUT_POWER_V1_MODE_OFF = 0,
    ZWLR_OUTPUT_POWER_V1_MODE_ON = 1,
};
