#!/usr/bin/env bash
# tests/integration/matrix.sh - the CI-sized subset of `make matrix`, in
# `make test`: Kafka 3.7.1 x kafka-proxy v0.3.11 x the changefeed's own
# libraries (franz-go, Sarama), with assertions (see tests/matrix/matrix.sh,
# MATRIX_QUICK).  About 45 s here.  Prints TAP.  Root.
exec env MATRIX_QUICK=1 MATRIX_OUT="${MATRIX_OUT:-build/matrix-quick.txt}" \
	"$(dirname "$0")/../matrix/matrix.sh"
