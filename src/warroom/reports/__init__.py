"""Reports: on-call pay now; MTTD/MTTA/MTTR and exports with the postmortems issue."""
