module z3infra/loadgen

go 1.22
