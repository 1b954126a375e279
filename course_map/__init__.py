"""Course map: which LMS courses (ДПП) and non-formal events remove which deficits.

Pure: models, validation and recommendation. Loading files lives in ``course_map.loading``.
"""
