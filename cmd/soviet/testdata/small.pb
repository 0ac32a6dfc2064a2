META
key;value
description;Small worked example (tally/budget_test.go, TestMESByHand)
budget;40
vote_type;approval
currency;PLN
PROJECTS
project_id;cost;name
A;24;Park benches
B;12;"Library; new shelves"
C;9;Bike racks
D;5;Nobody's favourite
VOTES
voter_id;vote
v1;A
v2;A
v3;A,B
v4;B,C
