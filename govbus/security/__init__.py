"""Security: who may reach the bus (credentials), what each may do (ACLs from the contracts) and
which fields each consumer may see (projections). The anchor is X-Road: every member has its own
identity, access is granted per service, and nothing is allowed that no agreement allows.
"""
