# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/kreuzwerker/docker" {
  version     = "4.6.0"
  constraints = "~> 4.6.0"
  hashes = [
    "h1:+PL3p7hcc+GqSGaXlhFOzF3SCFzWShiRexLN5qHTrUc=",
  ]
}
