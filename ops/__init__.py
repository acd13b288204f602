"""Operations: the services of the production profile, system packages and the retention purge."""
