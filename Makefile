# DAMON reimplementation: build-and-VM test harness (see harness/README.md).
# Every target is a thin call into harness/; switches are passed through
# the environment: BASELINE=1 FLAVOUR=test|prod MEM= CPUS= NODES= TIMEOUT=
# KVM=1 V=1 CMD='...'
H := ./harness
export BASELINE FLAVOUR MEM CPUS NODES TIMEOUT KVM V CMD

.PHONY: test kunit vm demo check clean distclean

test:
	@$(H)/run.sh test
kunit:
	@$(H)/run.sh kunit
vm:
	@$(H)/run.sh vm
demo:
	@$(H)/run.sh demo
check:
	@$(H)/check.sh
clean:
	@$(H)/clean.sh
distclean:
	@$(H)/clean.sh all
