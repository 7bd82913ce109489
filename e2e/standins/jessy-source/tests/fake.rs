// fake test
