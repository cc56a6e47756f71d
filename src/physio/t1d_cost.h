/*
** t1d_cost.h: the arithmetic cost of the t1d model, for GFLOP/s figures.
**
** Counted by hand from t1d_body.h, one FLOP per add, multiply, divide or
** compare-select, exp as 16 (range reduction 4, polynomial 12) and so tanh as
** 19: gastric emptying 60, the other 12 equations 62, so 122 per RHS call.
** One RK4 step adds 12 per state for the stage combinations (156); the minute
** update about 15. Divisions cost far more cycles than the count suggests
** (8 per RHS), which is part of why the achieved rate sits well below peak.
*/
#ifndef TW_PHYSIO_T1D_COST_H
#define TW_PHYSIO_T1D_COST_H

#define TW_T1D_FLOP_PER_RHS 122.0
#define TW_T1D_FLOP_PER_RK4_STEP (4.0 * TW_T1D_FLOP_PER_RHS + 12.0 * 13.0)
#define TW_T1D_FLOP_PER_MINUTE_UPDATE 15.0

#endif
