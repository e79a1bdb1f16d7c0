# DAMON reimplementation: build-and-VM test harness (see harness/README.md).
# Every target is a thin call into harness/; switches are passed through
# the environment: BASELINE=1 FLAVOUR=test|prod MEM= CPUS= NODES= TIMEOUT=
# KVM=1 V=1 CMD='...' DEMO_PNG=1 QUICK=1 PAIRS=
H := ./harness
export BASELINE FLAVOUR MEM CPUS NODES TIMEOUT KVM V CMD DEMO_PNG QUICK PAIRS

.PHONY: test kunit vm demo bench check clean distclean

test:
	@$(H)/run.sh test
kunit:
	@$(H)/run.sh kunit
vm:
	@$(H)/run.sh vm
demo:
	@$(H)/run.sh demo
bench:
	@./bench/run.sh
check:
	@$(H)/check.sh
clean:
	@$(H)/clean.sh
distclean:
	@$(H)/clean.sh all
