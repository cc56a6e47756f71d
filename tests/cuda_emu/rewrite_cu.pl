#!/usr/bin/perl
# rewrite_cu.pl: turns a .cu file into host C++ for the CUDA emulator (tests/cuda_emu/).
#
#   perl rewrite_cu.pl IN.cu OUT.cc
#
# Two rewrites, everything else is copied byte for byte (line numbers kept, and a
# #line directive names IN.cu, so diagnostics and __FILE__ point at the source):
#   k<<<grid, block[, smem[, stream]]>>>(args)
#       -> tw_emu::launch(__FILE__, __LINE__, grid, block[, smem[, stream]])(k, args)
#      (k may be qualified and carry template arguments: f<int32_t>, ns::f<T<U>>)
#   extern __shared__ [__align__(n)] T name[];
#       -> T *name = (T *)tw_emu::dynamic_shared();
#   static __shared__ -> __shared__ (the emulator's __shared__ is static already)
# A `<<<` or `extern __shared__` left over afterwards is an error: the build stops
# rather than compile a launch the emulator does not see.
use strict;
use warnings;

die "usage: rewrite_cu.pl IN.cu OUT.cc\n" unless @ARGV == 2;
my ($in, $out) = @ARGV;
open(my $fh, '<', $in) or die "rewrite_cu.pl: cannot read $in: $!\n";
my $src = do { local $/; <$fh> };
close $fh;

# Template arguments, nested: <...<...>...>
my $targs = qr/(?<targs><(?:[^<>;{}()]++|(?&targs))*>)/;
my $name = qr/(?<name>(?:::)?[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*\s*(?:$targs)?)/;

$src =~ s{$name\s*<<<(?<cfg>.*?)>>>(?<ws>\s*)\((?<empty>\s*\))?}{
  "tw_emu::launch(__FILE__, __LINE__, $+{cfg})$+{ws}(" . $+{name} . (defined $+{empty} ? ")" : ", ")
}gse;

$src =~ s{\bextern\s+__shared__\s+(?:__align__\s*\(\s*\d+\s*\)\s+)?(?<type>[\w:\s<>*]+?)\s*(?:__align__\s*\(\s*\d+\s*\)\s*)?\b(?<var>\w+)\s*\[\s*\]\s*;}{
  "$+{type} *$+{var} = ($+{type} *)tw_emu::dynamic_shared();"
}ge;

$src =~ s{\bstatic\s+__shared__\b}{__shared__}g;

my $line = 1;
for my $l (split /\n/, $src) {
  die "rewrite_cu.pl: $in:$line: a kernel launch the script cannot read: $l\n" if $l =~ /<<</;
  die "rewrite_cu.pl: $in:$line: an extern __shared__ declaration the script cannot read: $l\n"
    if $l =~ /\bextern\s+__shared__\b/;
  $line++;
}

open(my $oh, '>', "$out.tmp") or die "rewrite_cu.pl: cannot write $out.tmp: $!\n";
print $oh "#line 1 \"$in\"\n", $src;
close $oh or die "rewrite_cu.pl: writing $out.tmp: $!\n";
rename "$out.tmp", $out or die "rewrite_cu.pl: cannot rename to $out: $!\n";
