/*
** closed_loop_config.h: the closed-loop simulate config of the controller
** fixtures (tests/data/physio/bb_closed_loop.csv, pid_closed_loop.csv): three
** patients, a day of meals, the Insulet pump, a noise-free Dexcom, one-minute
** output. Shared by test_controller.c (built-ins against simglucose) and
** test_controller_ext.c (a library controller against the built-in).
** printf format, %s: the controller; its value is at line 9, column 15.
*/
#ifndef TW_TEST_CLOSED_LOOP_CONFIG_H
#define TW_TEST_CLOSED_LOOP_CONFIG_H

#define CLOSED_LOOP_CONFIG                                                                         \
  "pack: t1d\n"                                                                                    \
  "twins: {reference: [adolescent#001, adult#001, child#001]}\n"                                   \
  "duration_min: 1440\n"                                                                           \
  "precision: float64\n"                                                                           \
  "integrator: {method: dopri5}\n"                                                                 \
  "scenario:\n"                                                                                    \
  "  meals: [{time_min: 420, carbs_g: 45}, {time_min: 721, carbs_g: 70}, {time_min: 1140, carbs_g: 80}]\n" \
  "  pump: Insulet\n"                                                                              \
  "  controller: %s\n"                                                                             \
  "sensor: {name: Dexcom, noise: false}\n"                                                         \
  "output: {every_min: 1}\n"

#endif
