#!/usr/bin/env bash
# privacy_cli.sh: `twinscale privacy epsilon` and `privacy sigma` through the
# built executable (ctest fed_privacy_cli):
#   text     the acceptance case prints `epsilon = X (order 3.9)`, X within 1e-8
#            relative of Opacus' 7.32911117143
#   json     --json prints {"epsilon": X, "order": A} and {"sigma": S}, S meeting
#            the budget by `privacy epsilon` on S
#   bad      q outside (0, 1], sigma <= 0, negative steps, delta outside (0, 1),
#            epsilon <= 0, a missing option, a malformed number: exit 2, one line
#            on stderr, nothing on stdout
#   privacy_cli.sh TWINSCALE
set -uo pipefail
tw=$1
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

out=$("$tw" privacy epsilon --q 0.04 --sigma 1.5 --steps 2250 --delta 1e-5) || bad "acceptance exit $?"
if [[ $out =~ ^epsilon\ =\ ([0-9.e+-]+)\ \(order\ 3\.9\)$ ]] &&
   awk -v x="${BASH_REMATCH[1]}" 'BEGIN { r = (x - 7.32911117143) / 7.32911117143; exit !(r < 1e-8 && r > -1e-8) }'; then
  ok "text: $out"
else
  bad "text: '$out'"
fi

json=$("$tw" privacy epsilon --q 0.04 --sigma 1.5 --steps 2250 --delta 1e-5 --json) || bad "json exit $?"
if python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert set(d)=={"epsilon","order"}; assert abs(d["epsilon"]/7.32911117143-1)<1e-8 and d["order"]==3.9' "$json"; then
  ok "json epsilon"
else
  bad "json epsilon: $json"
fi

sj=$("$tw" privacy sigma --epsilon 8 --delta 1e-5 --q 0.04 --steps 2250 --json) || bad "sigma exit $?"
s=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert list(d)==["sigma"]; print(repr(d["sigma"]))' "$sj") || bad "json sigma: $sj"
e=$("$tw" privacy epsilon --q 0.04 --sigma "$s" --steps 2250 --delta 1e-5 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["epsilon"])')
if awk -v e="$e" -v s="$s" 'BEGIN { exit !(e <= 8 && s > 1.41578 && s < 1.41580) }'; then ok "sigma $s gives epsilon $e"; else bad "sigma $s gives $e"; fi
st=$("$tw" privacy sigma --epsilon 8 --delta 1e-5 --q 0.04 --steps 2250) || bad "sigma text exit $?"
[[ $st =~ ^sigma\ =\ 1\.4157 ]] && ok "sigma text: $st" || bad "sigma text: '$st'"

# expect_bad NEEDLE ARGS...: exit 2, one stderr line containing NEEDLE, no stdout.
expect_bad() {
  local needle=$1; shift
  local o e rc
  o=$("$tw" privacy "$@" 2>/tmp/privacy_cli_err.$$); rc=$?
  e=$(cat /tmp/privacy_cli_err.$$); rm -f /tmp/privacy_cli_err.$$
  if [[ $rc -eq 2 && -z $o && $(printf '%s\n' "$e" | wc -l) -eq 1 && $e == *"$needle"* ]]; then
    ok "bad ($*): $e"
  else
    bad "($*): rc $rc, stdout '$o', stderr '$e' (wanted '$needle')"
  fi
}
expect_bad "q = 1.5 is outside (0, 1]" epsilon --q 1.5 --sigma 1 --steps 10 --delta 1e-5
expect_bad "q = 0 is outside (0, 1]" epsilon --q 0 --sigma 1 --steps 10 --delta 1e-5
expect_bad "sigma = 0 must be > 0" epsilon --q 0.1 --sigma 0 --steps 10 --delta 1e-5
expect_bad "sigma = -2 must be > 0" epsilon --q 0.1 --sigma -2 --steps 10 --delta 1e-5
expect_bad "steps = -3 must be >= 0" epsilon --q 0.1 --sigma 1 --steps -3 --delta 1e-5
expect_bad "delta = 1 is outside (0, 1)" epsilon --q 0.1 --sigma 1 --steps 10 --delta 1
expect_bad "--delta" epsilon --q 0.1 --sigma 1 --steps 10
expect_bad "--sigma must be a number, got '1x'" epsilon --q 0.1 --sigma 1x --steps 10 --delta 1e-5
expect_bad "target epsilon = 0" sigma --epsilon 0 --delta 1e-5 --q 0.1 --steps 10
expect_bad "q = 2 is outside (0, 1]" sigma --epsilon 1 --delta 1e-5 --q 2 --steps 10
expect_bad "out of reach" sigma --epsilon 1e-9 --delta 1e-5 --q 0.1 --steps 100
exit $fail
