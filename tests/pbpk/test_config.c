/*
** test_config.c: the YAML schemas of drugs, PD effects and PBPK subjects, and
** their file:line:col messages for bad input (Kp <= 0, fu outside (0, 1], an
** unknown organ, an unknown target parameter).
*/
#include "tw_test.h"             /* CHECK, TW_TEST_RUN */
#include "physio/pbpk_config.h"  /* tw_drug_schema, tw_pd_schema, tw_pbpk_subject_schema */

extern const tw_pack tw_pack_pbpk, tw_pack_t1d;

/* A document with the three lists at the top, as the simulate config has them. */
typedef struct doc_cfg {
  tw_cfg_mark mark;
  tw_drug_cfg *drugs;
  int n_drugs;
  tw_pd_cfg *pd;
  int n_pd;
  tw_pbpk_subject_cfg *subjects;
  int n_subjects;
} doc_cfg;

static const tw_cfg_field doc_fields[] = {
    {.key = "drugs", .type = TW_CFG_LIST, .offset = offsetof(doc_cfg, drugs), .sub = &tw_drug_schema,
     .count_offset = offsetof(doc_cfg, n_drugs), .default_text = "[]"},
    {.key = "pd", .type = TW_CFG_LIST, .offset = offsetof(doc_cfg, pd), .sub = &tw_pd_schema,
     .count_offset = offsetof(doc_cfg, n_pd), .default_text = "[]"},
    {.key = "subjects", .type = TW_CFG_LIST, .offset = offsetof(doc_cfg, subjects),
     .sub = &tw_pbpk_subject_schema, .count_offset = offsetof(doc_cfg, n_subjects), .default_text = "[]"},
};
static const tw_cfg_schema doc_schema = TW_CFG_SCHEMA(doc_cfg, doc_fields, NULL);

#define KP "kp: {lung: 1, heart: 1, brain: 1, muscle: 1, adipose: 5, skin: 1, bone: 1, gut: 1, spleen: 1, liver: 2, kidney: 1, rest: 1}"

/* Binds `text`; returns the status, leaves the error message for the caller. */
static tw_status bind(const char *text, doc_cfg *out, tw_cfg_doc **doc) {
  TW_TRY(tw_cfg_parse_string("test.yaml", text, strlen(text), doc));
  return tw_cfg_bind(*doc, &doc_schema, out);
}

static void test_good(void) {
  const char *text =
      "drugs:\n"
      "  - name: d1\n"
      "    fu: 0.5\n"
      "    " KP "\n"
      "    clint_l_per_h: 30\n"
      "pd:\n"
      "  - {organ: liver, pack: t1d, parameter: kp1, effect: inhibition, emax: 0.4, ec50_mg_per_l: 1.5}\n"
      "subjects:\n"
      "  - {name: p1, sex: female, age_y: 62, weight_kg: 81, height_cm: 165, egfr: 70}\n";
  doc_cfg c;
  tw_cfg_doc *doc = NULL;
  CHECK_OK(bind(text, &c, &doc));
  CHECK_EQ_INT(c.n_drugs, 1);
  tw_pbpk_drug d;
  tw_drug_cfg_view(&c.drugs[0], &d);
  CHECK(d.fu == 0.5 && d.bp == 1.0 && d.kp[TW_PBPK_LIVER] == 2.0 && d.kp[TW_PBPK_ADIPOSE] == 5.0);
  CHECK(d.renal_factor == 1.0 && d.ka_per_h == 1.0 && d.f_oral == 1.0 && d.clint_l_per_h == 30.0);
  tw_pbpk_covariates cov;
  tw_pbpk_subject_cfg_view(&c.subjects[0], &cov);
  CHECK(cov.sex == TW_PBPK_FEMALE && cov.egfr_ml_min_173 == 70.0 && cov.age_y == 62.0);
  tw_model m;
  tw_model_init(&m);
  CHECK_OK(tw_model_add_pack(&m, &tw_pack_pbpk, NULL));
  CHECK_OK(tw_model_add_pack(&m, &tw_pack_t1d, NULL));
  CHECK_OK(tw_pd_cfg_couple(&m, &c.pd[0], doc));
  CHECK_EQ_INT(m.n_couplings, 1);
  CHECK(m.couplings[0].emax == -0.4 && m.couplings[0].kind == TW_COUPLE_EMAX);
  tw_cfg_release(&doc_schema, &c);
  tw_cfg_free(doc);
}

/* `text` must fail to bind with a message containing each of `want`. */
static void expect_error(const char *text, const char *want1, const char *want2) {
  doc_cfg c;
  tw_cfg_doc *doc = NULL;
  tw_status st = bind(text, &c, &doc);
  CHECK_MSG(st == TW_ERR_INPUT, "expected an input error for:\n%s", text);
  const char *msg = tw_error_message();
  CHECK_MSG(strstr(msg, want1) && strstr(msg, want2), "message '%s' lacks '%s' / '%s'", msg, want1, want2);
  tw_error_clear();
  if (doc) tw_cfg_free(doc);
}

static void test_bad_drugs(void) {
  expect_error("drugs:\n  - name: d1\n    fu: 0.5\n    kp: {lung: 1, heart: 1, brain: 1, muscle: 1, adipose: 5, "
               "skin: 1, bone: 1, gut: 1, spleen: 1, liver: 0, kidney: 1, rest: 1}\n",
               "test.yaml:2:", "kp.liver = 0");
  expect_error("drugs:\n  - name: d1\n    fu: 1.5\n    " KP "\n", "test.yaml:2:", "fu = 1.5 must be in (0, 1]");
  expect_error("drugs:\n  - name: d1\n    fu: 0\n    " KP "\n", "test.yaml:2:", "(0, 1]");
  expect_error("drugs:\n  - name: d1\n    fu: 0.5\n    kp: {lung: 1}\n", "test.yaml:", "heart");
  expect_error("drugs:\n  - name: d1\n    fu: 0.5\n    " KP "\n    clint: 3\n", "test.yaml:5:", "clint_l_per_h");
}

static void test_bad_pd(void) {
  expect_error("pd:\n  - {organ: livr, pack: t1d, parameter: kp1, effect: inhibition, emax: 0.4, ec50_mg_per_l: 1}\n",
               "test.yaml:2:", "unknown organ 'livr' (did you mean 'liver'?)");
  expect_error("pd:\n  - {organ: liver, pack: t1d, parameter: kp1, effect: inhibition, emax: 1.4, ec50_mg_per_l: 1}\n",
               "test.yaml:2:", "Imax");
  expect_error("pd:\n  - {organ: liver, pack: t1d, parameter: kp1, effect: block, emax: 0.4, ec50_mg_per_l: 1}\n",
               "test.yaml:2:", "effect");
  /* an unknown target parameter is found when the model is built */
  const char *text =
      "pd:\n  - {organ: plasma, pack: t1d, parameter: kp9, effect: stimulation, emax: 2, ec50_mg_per_l: 1}\n";
  doc_cfg c;
  tw_cfg_doc *doc = NULL;
  CHECK_OK(bind(text, &c, &doc));
  tw_model m;
  tw_model_init(&m);
  CHECK_OK(tw_model_add_pack(&m, &tw_pack_pbpk, NULL));
  CHECK_OK(tw_model_add_pack(&m, &tw_pack_t1d, NULL));
  CHECK_STATUS(tw_pd_cfg_couple(&m, &c.pd[0], doc), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "test.yaml:2:") && strstr(tw_error_message(), "kp9"));
  tw_error_clear();
  tw_cfg_release(&doc_schema, &c);
  tw_cfg_free(doc);
}

static void test_bad_subjects(void) {
  expect_error("subjects:\n  - {name: p1, sex: male, weight_kg: 40, height_cm: 210}\n", "test.yaml:2:", "BMI");
  expect_error("subjects:\n  - {name: p1, sex: other, weight_kg: 70, height_cm: 170}\n", "test.yaml:2:", "sex");
}

int main(void) {
  TW_TEST_RUN(test_good);
  TW_TEST_RUN(test_bad_drugs);
  TW_TEST_RUN(test_bad_pd);
  TW_TEST_RUN(test_bad_subjects);
  return TW_TEST_RESULT();
}
