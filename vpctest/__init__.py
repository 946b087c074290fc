"""vpc-test: diagnose API Gateway VPC access authorizations, from Slack or the command line."""
