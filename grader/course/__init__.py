"""The course: course.yaml and the assignments/ and solutions/ folders, as typed objects."""

from grader.course.load import COURSE_FILE, course_folder, find_course, load_course
from grader.course.model import Assignment, Course, LimitSettings

__all__ = ["COURSE_FILE", "Assignment", "Course", "LimitSettings", "course_folder", "find_course", "load_course"]
