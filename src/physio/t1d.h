/*
** t1d.h: the UVA/Padova 2008 type 1 diabetes model as simglucose's T1DPatient
** implements it (simglucose/patient/t1dpatient.py), as TW_HD functions shared by
** the CPU loops (t1d.c) and the CUDA kernel (cuda/physio_t1d.cu).
**
** States (13, per twin; index: name, unit):
**   0 qsto1 mg    stomach, solid          7 xi1  pmol/L  delayed insulin action 1
**   1 qsto2 mg    stomach, liquid         8 xi2  pmol/L  delayed insulin action 2 (on EGP)
**   2 qgut  mg    gut                     9 il   pmol/kg liver insulin
**   3 gp    mg/kg plasma glucose         10 isc1 pmol/kg subcutaneous insulin, depot 1
**   4 gt    mg/kg tissue glucose         11 isc2 pmol/kg subcutaneous insulin, depot 2
**   5 ip    pmol/kg plasma insulin       12 gsub mg/kg   subcutaneous glucose
**   6 x     pmol/L insulin action on utilisation
**
** Inputs per minute: cho (g announced at that minute; eaten at 5 g/min from then
** on, as T1DPatient._announce_meal does) and insulin (U/min, held for the minute;
** a bolus of u units at minute t is u U/min during [t, t+1)).
**
** Discrete variables, updated once per minute before integration exactly as
** T1DPatient.step does: the carbohydrate still to eat, the amount eaten this
** minute and the previous one, the stomach content when the current meal
** started (_last_Qsto), the food taken since (_last_foodtaken), and Dbar.
*/
#ifndef TW_PHYSIO_T1D_H
#define TW_PHYSIO_T1D_H

#include "core/defs.h"           /* TW_HD */
#include "physio/physio_math.h"  /* tw_tanh_f32/f64 */

TW_EXTERN_C_BEGIN

#define TW_T1D_NSTATES 13
#define TW_T1D_EAT_RATE 5.0 /* g/min, T1DPatient.EAT_RATE */

/* Parameters: the 13 initial states, then the model constants simglucose's
** model() reads, with the names and units of vpatient_params.csv. */
enum {
  TW_T1D_P_X0 = 0, /* x0_1 .. x0_13 */
  TW_T1D_P_BW = 13, TW_T1D_P_kabs, TW_T1D_P_kmax, TW_T1D_P_kmin, TW_T1D_P_b, TW_T1D_P_d,
  TW_T1D_P_Vg, TW_T1D_P_Vi, TW_T1D_P_Vmx, TW_T1D_P_Km0, TW_T1D_P_k2, TW_T1D_P_k1,
  TW_T1D_P_p2u, TW_T1D_P_m1, TW_T1D_P_m2, TW_T1D_P_m4, TW_T1D_P_m30, TW_T1D_P_ki,
  TW_T1D_P_kp1, TW_T1D_P_kp2, TW_T1D_P_kp3, TW_T1D_P_f, TW_T1D_P_ke1, TW_T1D_P_ke2,
  TW_T1D_P_Fsnc, TW_T1D_P_Vm0, TW_T1D_P_kd, TW_T1D_P_ksc, TW_T1D_P_ka1, TW_T1D_P_ka2,
  TW_T1D_P_u2ss, TW_T1D_P_Ib,
  TW_T1D_NPARAMS
};

enum { TW_T1D_U_CHO = 0, TW_T1D_U_INSULIN = 1, TW_T1D_NINPUTS };

enum {
  TW_T1D_D_PLANNED = 0, /* g still to eat */
  TW_T1D_D_CHO,         /* g/min eaten during this minute */
  TW_T1D_D_LAST_CHO,    /* g/min eaten during the previous minute */
  TW_T1D_D_LAST_QSTO,   /* mg in the stomach when the current meal started */
  TW_T1D_D_FOODTAKEN,   /* g eaten since the current meal started */
  TW_T1D_D_EATING,      /* 1 while eating */
  TW_T1D_D_DBAR,        /* mg: last_qsto + 1000 foodtaken */
  TW_T1D_NDISC
};

enum { TW_T1D_O_BG = 0, TW_T1D_O_GP, TW_T1D_O_IP, TW_T1D_O_IOB, TW_T1D_NOBS };

/* Instantiate the real-typed functions for float and double. */
#define TW_T1D_REAL double
#define TW_T1D_SUF(name) name##_f64
#define TW_T1D_TANH tw_tanh_f64
#include "physio/t1d_body.h"
#define TW_T1D_REAL float
#define TW_T1D_SUF(name) name##_f32
#define TW_T1D_TANH tw_tanh_f32
#include "physio/t1d_body.h"

TW_EXTERN_C_END

#endif
