# Fake docker/Dockerfile.go: the upstream stage names over the jessy-api stand-in.
FROM z3-e2e/jessy-api:1 AS development
USER root
ENV STANDIN_STAGE=development
CMD ["/usr/local/lib/standin/jessy-api/main.sh"]

FROM z3-e2e/jessy-api:1 AS production
USER 1000:1000
