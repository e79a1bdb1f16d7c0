#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Accuracy of the paddr operations set against access_workload.

See damon_accuracy.py for the method and the thresholds.
"""

import damon_accuracy

damon_accuracy.run('paddr')
