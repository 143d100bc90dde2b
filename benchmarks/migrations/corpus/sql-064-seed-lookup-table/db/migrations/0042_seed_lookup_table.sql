CREATE TABLE countries (
    code char(2) PRIMARY KEY,
    name text NOT NULL
);
INSERT INTO countries (code, name) VALUES ('FR', 'France'), ('DE', 'Germany'), ('US', 'United States');
UPDATE countries SET name = 'United States of America' WHERE code = 'US';
