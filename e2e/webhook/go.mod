module z3infra/webhook

go 1.22
