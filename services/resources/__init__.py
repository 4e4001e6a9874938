"""Shared resources (资源共享): venues, materials, open organisational-life bases and their
activity menus, services, lecturers, funding; bookings (预约) and the figures they yield."""
