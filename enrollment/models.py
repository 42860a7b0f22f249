# Billing accounts and enrollments arrive with the enrollment issue.
